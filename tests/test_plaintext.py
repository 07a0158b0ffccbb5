"""The clinic's public wording: plain text with line marks, never markup."""

import re

from hypothesis import given
from hypothesis import strategies as st

from gentle.lib.plaintext import render

OUR_TAGS = re.compile(r"</?(p|br|h3|ul|li)>")


def test_line_marks_become_paragraphs_headings_and_lists():
    html = render("One\ntwo\n\n## Head\n- a\n- b\nafter")
    assert html == "<p>One<br>two</p>\n<h3>Head</h3>\n<ul><li>a</li><li>b</li></ul>\n<p>after</p>"


@given(st.text())
def test_no_typed_markup_ever_reaches_the_page(text):
    html = render(text)
    assert "<script" not in html.lower()
    assert "<" not in OUR_TAGS.sub("", html)  # every tag left is one of ours


@given(st.text(alphabet=st.characters(blacklist_characters="\r\n<>&\"'"), min_size=1))
def test_a_plain_line_keeps_its_words(text):
    if text.strip() and not text.strip().startswith(("## ", "- ")):
        assert text.strip() in render(text)
