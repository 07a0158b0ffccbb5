"""Issue 21's icons: a few vendored Lucide drawings, drawn inline beside a text label and hidden
from screen readers, with their licence."""

import pytest
from django.template import Context, Template, TemplateSyntaxError

from gentle.lib.icon_tags import ICONS
from tests.factories import signed_in


def render(source: str) -> str:
    return Template("{% load gentle_icons %}" + source).render(Context())


def test_an_icon_is_inline_decoration_hidden_from_screen_readers():
    html = render('{% icon "plus" %}Add')
    assert html.startswith('<svg class="icon icon-plus" viewBox="0 0 24 24"')
    assert 'aria-hidden="true" focusable="false"' in html
    assert '<path d="M5 12h14" />' in html
    assert "<!--" not in html and "license" not in html  # the file's comment stays in the file
    assert html.endswith("</svg>Add")


@pytest.mark.parametrize("name", ["no-such-icon", "../icons/plus", "LICENSE"])
def test_an_unknown_icon_is_a_template_error_not_a_file_read(name):
    with pytest.raises(TemplateSyntaxError):
        render('{% icon "' + name + '" %}')


def test_the_vendored_icons_carry_their_licence():
    assert "ISC License" in (ICONS / "LICENSE").read_text()
    for svg in ICONS.glob("*.svg"):
        assert "lucide-static v1.62.0 - ISC" in svg.read_text(), svg.name


@pytest.mark.django_db
def test_the_primary_action_has_its_icon_beside_its_words(world):
    html = signed_in(world.alice).get(f"/clients/{world.amara.pk}/").content.decode()
    button = html[html.index('class="button button-primary"') :]
    button = button[: button.index("</a>")]
    assert '<svg class="icon icon-plus"' in button and button.endswith("New course")
