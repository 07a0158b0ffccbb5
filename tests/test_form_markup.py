"""Lists of choices, and fields of radio buttons or checkboxes, are written in Python
(gentle/lib/forms.py, gentle/lib/form_tags.py) because Django's templates took about 0.1-0.3 ms
a choice (issue 20). They must write exactly what Django's own templates write: checked here
against Django's renderer for any labels, values, groups and attributes."""

from django import forms
from django.forms.renderers import DjangoTemplates
from hypothesis import given, settings
from hypothesis import strategies as st

from gentle.lib.form_tags import choice_tags
from gentle.lib.forms import OPTION_TEMPLATE, FormRenderer, select_html

DJANGO = DjangoTemplates()
OURS = FormRenderer()

# Text a person or the data could put in a label or value: markup characters, quotes, accents.
text = st.text(alphabet=st.sampled_from("aZé <>&\"'=/ñ1"), max_size=10)
values = st.one_of(st.integers(min_value=-3, max_value=10**6), text)
choice = st.tuples(values, text)
group = st.tuples(text.filter(str.strip), st.lists(choice, min_size=1, max_size=3))
choice_lists = st.lists(st.one_of(choice, group), max_size=5)
attrs = st.dictionaries(
    st.sampled_from(["id", "class", "required", "disabled", "data-autosubmit", "aria-describedby"]),
    st.one_of(st.booleans(), text),
    max_size=4,
)


def flat_values(choices) -> list:
    found = []
    for value, label in choices:
        found.extend(v for v, _l in label) if isinstance(label, list) else found.append(value)
    return found


@settings(max_examples=150, deadline=None)
@given(choices=choice_lists, attrs=attrs, multiple=st.booleans(), data=st.data())
def test_a_list_of_choices_is_written_as_djangos_templates_write_it(choices, attrs, multiple, data):
    widget = (forms.SelectMultiple if multiple else forms.Select)(attrs=attrs, choices=choices)
    options = flat_values(choices)
    if multiple:
        value = data.draw(st.lists(st.sampled_from(options), max_size=3)) if options else []
    else:
        value = data.draw(st.one_of(st.none(), st.sampled_from(options))) if options else None
    ours = widget.render("pick", value, renderer=OURS)
    assert ours == widget.render("pick", value, renderer=DJANGO)
    assert ours.startswith("<select")  # written here, not by the template


def test_a_field_of_the_site_renders_its_list_the_same_way():
    """Through a form and the site's settings (FORM_RENDERER), as pages render fields."""

    class Pick(forms.Form):
        who = forms.ChoiceField(choices=[("", "Anyone"), ("a", "Ana & <Tomás>")])

    form = Pick({"who": "a"})
    ours = str(form["who"])
    assert 'value="a" selected>Ana &amp; &lt;Tomás&gt;</option>' in ours
    assert ours == form["who"].as_widget(widget=form.fields["who"].widget)
    django_form = Pick({"who": "a"}, renderer=DJANGO)
    assert ours == str(django_form["who"])


def test_an_option_with_a_template_of_its_own_is_left_to_django():
    widget = forms.Select(choices=[("a", "A")])
    context = widget.get_context("pick", "a", None)["widget"]
    assert select_html(context) is not None
    context["optgroups"][0][1][0]["template_name"] = "custom/option.html"
    assert select_html(context) is None
    assert OPTION_TEMPLATE == "django/forms/widgets/select_option.html"


@settings(max_examples=150, deadline=None)
@given(choices=st.lists(choice, max_size=5), attrs=attrs, multiple=st.booleans(), data=st.data())
def test_radio_buttons_and_checkboxes_are_written_as_djangos_templates_write_them(
    choices, attrs, multiple, data
):
    options = [str(value) for value, _label in choices]
    if multiple:
        field = forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple(attrs=attrs), required=False
        )
        value = data.draw(st.lists(st.sampled_from(options), max_size=3)) if options else []
    else:
        field = forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect(attrs=attrs), required=False
        )
        value = data.draw(st.sampled_from(options)) if options else ""
    form_class = type("Pick", (forms.Form,), {"pick": field})
    bound = form_class(initial={"pick": value})["pick"]
    expected = [(str(choice.tag()), choice.choice_label) for choice in bound.subwidgets]
    assert [(str(tag), label) for tag, label in choice_tags(bound)] == expected
    assert all(tag.startswith("<input") for tag, _label in expected)
