"""The portal layout's fixed pieces, rendered once per language.

The header and footer of ``base.html`` hold a dozen ``{% url %}``, ``{% static %}`` and
``{% translate %}`` tags whose output depends on nothing but the active language (the URLs on the
script prefix and URL configuration): on the portal's lists they cost as much as the cards. ``{% per_language %}``
renders its content the first time a process meets a language and prefix, and gives that text back
afterwards. Only what every viewer of that language sees may go inside: no variable of the request,
the user or the page.
"""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


class PerLanguageNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist
        # Filled per process (the cached template loader keeps this node); a race renders twice, no harm.
        self.rendered: dict[tuple, str] = {}

    def render(self, context) -> str:
        key = (get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, settings.STATIC_URL)
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = self.nodelist.render(context)
        return mark_safe(text)  # noqa: S308 — the template's own escaped output


@register.tag
def per_language(parser, token):
    """``{% per_language %}…{% endper_language %}``: the content, rendered once per language."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("per_language takes no arguments")
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)
