"""Packaging: the code, and the folders the app reads at run time, installed inside review/.

templates/, static/ and migrations/ sit at the checkout's root; a wheel puts them in review/
(a top-level `templates` in site-packages would clash), with the compiled catalogues of
review/translations/ (`make install` compiles them). review.config.resource_dir finds
either place. setup.cfg holds everything else; it cannot list data folders as packages.
"""

from pathlib import Path

from setuptools import find_packages, setup

CODE = ["review", "review.*", "workers", "workers.*", "media", "media.*"]
FOLDERS = {
    "review.templates": "templates",
    "review.static": "static",
    "review.migrations": "migrations",
    "review.translations": "review/translations",
    "review.fonts": "review/fonts",
}


def folder_packages() -> list[str]:
    """Return a package name for each folder and subfolder of FOLDERS."""
    names = []
    for package, folder in FOLDERS.items():
        root = Path(__file__).parent / folder
        for path in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
            if "__pycache__" not in path.parts:
                names.append(".".join([package, *path.relative_to(root).parts]))
    return names


DATA = folder_packages()

setup(
    packages=find_packages(include=CODE) + DATA,
    package_dir={package: folder for package, folder in FOLDERS.items() if "/" not in folder},
    package_data={"media": ["data/*.txt"], **{package: ["*"] for package in DATA}},
    exclude_package_data={"": ["*.pyc"]},
)
