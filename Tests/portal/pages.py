"""Page helpers: navigation, waiting, screenshots checked for blankness (pixel variance)."""

import json
import os
import sys
import time

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
from check_report import decode_png  # noqa: E402  (the report check's PNG decoder)

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCREENSHOTS = os.environ.get("CER_PORTAL_SCREENSHOTS", os.path.join(REPO, ".build", "portal-screenshots"))


def wait(condition, timeout=60, message="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - retried until the deadline
            last = error
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s (last error: %r)" % (message, last))


def by_id(driver, element_id):
    return driver.find_element(By.ID, element_id)


def open_view(portal, view):
    """Shows `view` (join, session, funds, results, admin) and waits until it has loaded."""
    d = portal.driver
    if not d.current_url.startswith(portal.base_url):
        d.get(portal.base_url + "/#/" + view)
    else:
        d.execute_script("document.body.dataset.loaded = ''; location.hash = '#/' + arguments[0];"
                         "if (location.hash === '#/' + arguments[0]) window.dispatchEvent(new HashChangeEvent('hashchange'));",
                         view)
    wait(lambda: d.execute_script("return document.body.dataset.loaded") == view, message="view " + view)
    no_page_error(d)
    return d


def no_page_error(driver):
    """Fails when the page shows an error banner or the console has an uncaught exception."""
    kind, text = driver.execute_script(
        "const b = document.getElementById('banner'); return [b.hidden ? '' : b.dataset.kind, b.textContent];")
    assert kind != "error", "the page shows an error: " + text
    logs = [e.get("message", "") for e in driver.get_log("browser")]
    uncaught = [m for m in logs if "Uncaught" in m]
    assert not uncaught, "uncaught exceptions in the page: %s" % uncaught
    refused = [m for m in logs if "Content Security Policy" in m]
    violations = driver.execute_script("return window.__cspViolations || []")
    assert not refused and not violations, "the page breaks its Content-Security-Policy: %s %s" % (refused, violations)


def reload_view(portal, view):
    d = portal.driver
    d.get(portal.base_url + "/#/" + view)
    wait(lambda: d.execute_script("return document.body.dataset.loaded") == view, message="view " + view)
    no_page_error(d)


def refresh(portal):
    """The page's refresh button: re-reads chain time and the current view."""
    d = portal.driver
    view = d.execute_script("return document.body.dataset.view")
    d.execute_script("document.body.dataset.loaded = ''")
    by_id(d, "refresh-btn").click()
    wait(lambda: d.execute_script("return document.body.dataset.loaded") == view, message="refresh")
    no_page_error(d)


def connect(portal):
    d = portal.driver
    button = by_id(d, "connect-btn")
    if button.is_displayed():
        button.click()
    wait(lambda: by_id(d, "account").is_displayed(), message="wallet connected")


def message(driver, element_id, kind, timeout=90):
    """Waits for the message box to show `kind` (ok, error, …) and returns its text."""
    def shown():
        box = by_id(driver, element_id)
        return box.is_displayed() and box.get_attribute("data-kind") == kind and box.text
    try:
        return wait(shown, timeout, "%s %s" % (element_id, kind))
    except AssertionError:
        box = by_id(driver, element_id)
        raise AssertionError("%s: expected a %s message, shows %s: %r" % (
            element_id, kind, box.get_attribute("data-kind"), box.text)) from None


def screenshot(driver, name):
    """Saves the page under SCREENSHOTS and checks it is not blank: enough distinct colours and a
    luminance variance well above that of a blank or single-colour page."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, name + ".png")
    driver.save_screenshot(path)
    width, height, channels, rows = decode_png(path)
    colours, total, s, s2 = set(), 0, 0.0, 0.0
    for y in range(0, height, 3):
        line = rows[y]
        for x in range(0, width, 3):
            i = x * channels
            r, g, b = line[i], line[i + 1], line[i + 2]
            colours.add((r, g, b))
            lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
            s += lum
            s2 += lum * lum
            total += 1
    mean = s / total
    variance = s2 / total - mean * mean
    assert len(colours) >= 16, "%s looks blank: %d distinct colours" % (path, len(colours))
    assert variance >= 100, "%s looks blank: luminance variance %.1f" % (path, variance)
    return path


def network_requests(portal):
    """Every request the browser sent since the last call (CDP Network events from the
    performance log): the URL, the method and the body, as one lowercase text each."""
    out = []
    for entry in portal.driver.get_log("performance"):
        event = json.loads(entry["message"])["message"]
        if event.get("method") == "Network.requestWillBeSent":
            request = event["params"]["request"]
            out.append(("%s %s %s" % (request.get("method"), request.get("url"), request.get("postData", ""))).lower())
    portal.network.extend(out)
    return out
