def test_login_page(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert "登录汇报" in resp.get_data(as_text=True)


def test_login_and_home(client, auth, people):
    resp = auth.login("a1")
    assert resp.status_code == 302
    resp = client.get("/", follow_redirects=True)
    assert "我的思想汇报" in resp.get_data(as_text=True)
