"""Steps the browser stories share: signing in as a demo login, waiting for htmx."""

from playwright.sync_api import expect


def sign_in(page, base, username):
    """Sign in through the login page with the demo password; wait for the signed-in page."""
    page.goto(f"{base}/login/")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_label("비밀번호").press("Enter")
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()


def htmx_click(locator):
    """Click a link or button that htmx drives, once htmx has wired it: clicked earlier
    (while the content it came in is still being swapped), a link falls back to plain
    navigation. Waits for no request in flight and for htmx to have processed the element
    itself (its ``initHash``), not only for the swap classes to be gone."""
    page = locator.page
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.wait_for_function("el => Boolean((el['htmx-internal-data'] || {}).initHash)",
                           arg=locator.element_handle())
    locator.click()
