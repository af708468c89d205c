"""Steps the browser stories share: signing in as a demo login."""

from playwright.sync_api import expect


def sign_in(page, base, username):
    """Sign in through the login page with the demo password; wait for the signed-in page."""
    page.goto(f"{base}/login/")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_label("비밀번호").press("Enter")
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
