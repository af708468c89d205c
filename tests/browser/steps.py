"""Steps the browser stories share: signing in as a demo login, waiting for htmx."""

from playwright.sync_api import expect


def sign_in(page, base, username):
    """Sign in through the login page with the demo password; wait for the signed-in page."""
    page.goto(f"{base}/login/")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_label("비밀번호").press("Enter")
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()


def htmx_settled(page):
    """Wait until htmx has no request in flight and has finished swapping and settling:
    only then are the links in swapped-in content wired to htmx (clicked earlier, a link
    falls back to plain navigation)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
