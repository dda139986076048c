"""The page check itself must catch what it claims to catch."""

from hub.core.tests.page_check import page_problems

GOOD = (
    '<!DOCTYPE html><html lang="en-GB"><head><title>Ok</title></head><body>'
    '<h1>Ok</h1><form action="/x" method="post"><label for="a">A</label><input id="a"></form>'
    '<script type="module" src="/s.js"></script></body></html>'
)


def test_a_good_page_has_no_problems():
    assert page_problems(GOOD) == []


def test_each_problem_is_reported():
    bad = (
        "<html><head><title></title></head><body><h1>A</h1><h1>B</h1>"
        '<div id="x"></div><div id="x"></div><form method="post"></form>'
        '<label for="nowhere">L</label><script>alert(1)</script></body></html>'
    )
    problems = page_problems(bad)
    assert "page has no <title>" in problems
    assert "<html> has no lang" in problems
    assert "page has 2 <h1> elements, not one" in problems
    assert "duplicate ids: ['x']" in problems
    assert "1 form(s) without an action" in problems
    assert "1 inline script(s)" in problems
    assert "labels for missing ids: ['nowhere']" in problems
