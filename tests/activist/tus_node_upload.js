// Upload a file with the official tus-js-client in Node (the interop peer of static/js/tus-upload.js).
// Usage: node tus_node_upload.js ENDPOINT TOKEN FILE PERIOD CHUNK_BYTES  -> prints the upload URL.
"use strict";
const fs = require("fs");
const path = require("path");
const tus = require("tus-js-client");

const [endpoint, token, file, period, chunk] = process.argv.slice(2);
const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  chunkSize: parseInt(chunk, 10),
  uploadSize: fs.statSync(file).size,
  headers: { Authorization: `Bearer ${token}` },
  metadata: { filename: path.basename(file), period: String(period) },
  retryDelays: [0, 500, 1000],
  onError(error) {
    console.error(`tus-js-client failed: ${error}`);
    process.exit(1);
  },
  onSuccess() {
    console.log(upload.url);
  },
});
upload.start();
