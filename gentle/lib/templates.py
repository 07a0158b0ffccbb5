"""The template loader (settings.TEMPLATES): Django's cached loader, whose templates keep what
their fixed tags write, once per language.

Most of a page's ``{% translate "..." %}``, ``{% url 'name' %}`` and ``{% static '...' %}`` name
only fixed text: what they write depends on the language and the deployment, never on the
page's data. Django works each of them out again at every rendering, about 20 to 40 µs each;
the base layout alone has about 30, and the client's home 30 more (issue 20: the signed-in
pages under load). When a template is first loaded, each such tag is wrapped in a
:class:`Kept` node that renders it as Django does the first time for a given language and
deployment, and keeps the result.

Only tags whose every argument is a literal are kept (no variable, no filter), so what they
write, or set with ``as name``, is a function of the key alone:

- every kind: the active language, and whether the context escapes;
- ``url``: the script prefix, the URL configuration, and the namespace the page was reached
  through (which ``{% url %}`` uses to choose among namespaced patterns);
- ``static``: the static files' settings (URL, root, storage, debug).

A tag that fails (a URL that does not reverse) keeps nothing and fails the page as before.

Two more kinds of tag write a function of a few values: a ``{% blocktranslate %}`` whose every
variable is given in the tag itself (``count n=...``, ``with total=...``), and a
``{% url 'name' ... %}`` of a fixed name. When those values are all whole numbers, as in the
"3 measures overdue" and the address of each row of a list, the tag is wrapped in a
:class:`KeptByNumbers` node that keeps what it writes for each key and set of numbers (15 to
20 µs each; issue 20, the homes' lists at a programme's size). Other values (names, dates) are
rendered as Django renders them: a client's name is not kept in memory beyond its page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from django.conf import settings
from django.template import Context, Node, NodeList, Template
from django.template.base import FilterExpression, Variable
from django.template.defaulttags import IfNode, URLNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

Key = Callable[[Context], Hashable]


def _literal(expression: FilterExpression | None) -> bool:
    """Whether a tag's argument is fixed text or a number, with no filter: it resolves to the
    same value in any context."""
    if expression is None:
        return True
    if expression.filters:
        return False
    if not expression.is_var:
        return True  # a quoted string, resolved when parsed
    var = expression.var
    return isinstance(var, Variable) and var.lookups is None and var.literal is not None


def _language(context: Context) -> Hashable:
    return (translation.get_language(), context.autoescape)


def _url(context: Context) -> Hashable:
    request = getattr(context, "request", None)
    current_app = getattr(request, "current_app", None)
    if current_app is None:
        current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
    return (
        translation.get_language(),
        context.autoescape,
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
        current_app,
    )


def _static(context: Context) -> Hashable:
    return (
        context.autoescape,
        settings.STATIC_URL,
        settings.STATIC_ROOT,
        repr(settings.STORAGES.get("staticfiles")),
        settings.DEBUG,
    )


def _fixed(node: Node) -> bool:
    """Whether what a node writes, or sets with ``as``, depends only on its key."""
    if isinstance(node, TranslateNode):
        return _literal(node.filter_expression) and _literal(node.message_context)
    if isinstance(node, BlockTranslateNode):
        return (
            not node.extra_context
            and node.counter is None
            and not node.plural
            and _literal(node.message_context)
            and all(token.token_type.name == "TEXT" for token in node.singular)
        )
    if isinstance(node, URLNode):
        return all(map(_literal, [node.view_name, *node.args, *node.kwargs.values()]))
    if isinstance(node, StaticNode):
        return _literal(node.path)
    return False


KEYS: dict[type[Node], Key] = {
    TranslateNode: _language,
    BlockTranslateNode: _language,
    URLNode: _url,
    StaticNode: _static,
}


class _Keeping(Node):
    """A tag whose output is rendered by the tag itself once per key, then kept (at most
    ``KEEP`` keys, or any number). A tag with ``as name`` keeps the value it sets and sets it
    again."""

    KEEP: int | None = None
    child_nodelists = ()

    def __init__(self, node: Node):
        self.node = node
        self.kept: dict[Hashable, str] = {}
        self.name = getattr(node, "varname", None) or getattr(node, "asvar", None)
        self.token, self.origin = node.token, node.origin

    def kept_for(self, key: Hashable, context: Context) -> str:
        try:
            kept = self.kept[key]
        except KeyError:
            output = self.node.render(context)
            if self.KEEP is not None and len(self.kept) >= self.KEEP:
                self.kept.clear()
            kept = self.kept[key] = context[self.name] if self.name else output
        if self.name:
            context[self.name] = kept
            return ""
        return kept


class Kept(_Keeping):
    """A fixed tag's output, kept once per key (``KEYS``)."""

    def __init__(self, node: Node):
        super().__init__(node)
        self.key = KEYS[type(node)]

    def __repr__(self) -> str:
        return f"<Kept {self.node!r}>"

    def render(self, context: Context) -> str:
        return self.kept_for(self.key(context), context)


def _counted(context: Context) -> Hashable:
    return (translation.get_language(), context.autoescape, context.use_l10n, context.use_tz)


def _given(node: Node) -> list[FilterExpression] | None:
    """The values a tag writes, or reverses into an address, when its output depends on those
    values alone (beside its key): a ``blocktranslate`` whose every variable is given in the
    tag, or a ``url`` of a fixed name. None for any other tag."""
    if isinstance(node, BlockTranslateNode) and _literal(node.message_context):
        given = {*node.extra_context, node.countervar} - {None}
        tokens = [*node.singular, *(node.plural or [])]
        if all(token.token_type.name == "TEXT" or token.contents in given for token in tokens):
            return [*node.extra_context.values(), *([node.counter] if node.counter else [])]
    if isinstance(node, URLNode) and _literal(node.view_name):
        return [*node.args, *node.kwargs.values()]
    return None


class KeptByNumbers(_Keeping):
    """A ``blocktranslate`` of values given in the tag ("{{ n }} measures overdue"), or a
    ``url`` of a fixed name ("{% url 'course_detail' course.pk %}"), kept once per key and
    values (at most ``KEEP`` sets of values a tag). The key is Kept's with, for the phrase, the
    localisation of its numbers. Only whole numbers are kept: given anything else (a name, a
    date), the tag renders as Django renders it, then and after, so no client's name is kept
    in memory beyond its page."""

    KEEP = 256

    def __init__(self, node: Node, values: list[FilterExpression]):
        super().__init__(node)
        self.values = values
        self.key = _url if isinstance(node, URLNode) else _counted
        self.numbers = True  # whether every value given so far was a whole number

    def __repr__(self) -> str:
        return f"<KeptByNumbers {self.node!r}>"

    def render(self, context: Context) -> str:
        if not self.numbers:
            return self.node.render(context)
        numbers = [value.resolve(context) for value in self.values]
        if not all(type(number) is int for number in numbers):
            # A name or a date: this tag is rendered as Django renders it from now on,
            # without resolving its values twice.
            self.numbers = False
            return self.node.render(context)
        return self.kept_for((self.key(context), *numbers), context)


def _nodelists(node: Node) -> Iterable[NodeList]:
    if isinstance(node, IfNode):  # its `nodelist` is a new list of all branches' nodes
        return [nodelist for _, nodelist in node.conditions_nodelists]
    found = (getattr(node, name, None) for name in node.child_nodelists)
    return [nodelist for nodelist in found if isinstance(nodelist, NodeList)]


def keep_fixed(nodelist: NodeList) -> None:
    """Wrap every fixed tag of ``nodelist`` and of the lists inside its nodes, in place."""
    for i, node in enumerate(nodelist):
        if isinstance(node, _Keeping):
            continue
        if type(node) in KEYS and _fixed(node):
            nodelist[i] = Kept(node)
            continue
        given = _given(node)
        if given is not None:
            nodelist[i] = KeptByNumbers(node, given)
            continue
        for inner in _nodelists(node):
            keep_fixed(inner)


class LoadedNodeList(NodeList):
    """A loaded template's own list of nodes, which stays as loaded: what it holds of each
    kind of node is found once. A page that extends the layout had Django walk the layout's
    every node for its blocks at each rendering (``ExtendsNode.render``)."""

    def get_nodes_by_type(self, nodetype: type[Node]) -> list[Node]:
        found = self.__dict__.setdefault("found", {})
        if nodetype not in found:
            found[nodetype] = super().get_nodes_by_type(nodetype)
        return list(found[nodetype])


class Loader(cached.Loader):
    """Django's cached loader; each template's fixed tags are kept from its first loading."""

    def get_template(self, template_name: str, skip: list | None = None) -> Template:
        template = super().get_template(template_name, skip)
        if not isinstance(template.nodelist, LoadedNodeList):
            keep_fixed(template.nodelist)
            loaded = LoadedNodeList(template.nodelist)
            loaded.contains_nontext = template.nodelist.contains_nontext
            template.nodelist = loaded
        return template
