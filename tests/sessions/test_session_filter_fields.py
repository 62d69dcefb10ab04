"""The session list's filter fields kept in the cache (``SessionFilterForm.fields_html``): the HTML the
list's template rendered, with the options and values of each request, never a stale form."""

import pytest
from django.http import QueryDict
from django.template import engines
from django.urls import reverse
from django.utils import translation

from sessions.forms import SessionFilterForm
from tests.factories import TopicFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

# The fields' loop as portal/session_list.html held it before the fields were kept in the cache.
TEMPLATE_FIELDS = """{% for field in form %}
        <div class="field{% if field.errors %} field-error{% endif %}">
          <label for="{{ field.id_for_label }}">{{ field.label }}</label>
          {{ field }}
          {% for error in field.errors %}<p class="error-text" role="alert">{{ error }}</p>{% endfor %}
        </div>
      {% endfor %}"""


@pytest.fixture
def catalogue():
    TrainingSessionFactory(country_id="MX").topics.add(TopicFactory(slug="tracing", name="Tracing", name_fr="Traçage"))
    TrainingSessionFactory(country_id="CO").topics.add(TopicFactory(slug="aml", name="AML & <KYC>"))


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize(
    "query", ["", "topic=tracing&country=mx", "q=%3Cb%3Eseize&format=virtual&month=2027-03", "open_to=ZZ&month=13"]
)
def test_filter_fields_render_as_the_template_did_twice(catalogue, language, query):
    template = engines["django"].from_string(TEMPLATE_FIELDS)

    with translation.override(language):
        forms = [SessionFilterForm(QueryDict(query) or None) for _ in range(3)]
        for form in forms:
            form.is_valid()
        expected = template.render({"form": forms[0]})
        written = [str(form.fields_html()) for form in forms[1:]]

    assert written == [expected, expected]


def test_filter_fields_show_a_new_topic(client, catalogue):
    client.get(reverse("sessions:list"))

    TopicFactory(slug="ransomware", name="Ransomware")
    content = client.get(reverse("sessions:list")).content.decode()

    assert '<option value="ransomware">Ransomware</option>' in content


def test_filter_fields_show_each_request_its_own_choice(client, catalogue):
    client.get(reverse("sessions:list"), {"topic": "tracing"})

    content = client.get(reverse("sessions:list"), {"topic": "aml"}).content.decode()

    assert '<option value="aml" selected>AML &amp; &lt;KYC&gt;</option>' in content
    assert '<option value="tracing">Tracing</option>' in content


def test_filter_fields_show_their_errors_each_time(client, catalogue):
    client.get(reverse("sessions:list"), {"month": "2027-13"})

    content = client.get(reverse("sessions:list"), {"month": "2027-14"}).content.decode()

    assert '<p class="error-text" role="alert">Enter a month as YYYY-MM.</p>' in content
    assert 'value="2027-14"' in content


def test_a_searchs_free_text_is_not_kept_in_the_cache(catalogue, monkeypatch):
    from sessions import forms

    kept = []
    monkeypatch.setattr(forms.cache, "set", lambda key, *args, **kwargs: kept.append(key))
    form = SessionFilterForm(QueryDict("q=ana+ruiz&topic=tracing"))
    form.is_valid()

    html = str(form.fields_html())

    assert ('value="ana ruiz"' in html, [key for key in kept if "filter-fields" in key]) == (True, [])
