from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trainingops.actors import history_user


class EmailUserManager(UserManager):
    """Users are identified by their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: officer (portal), trainer or manager (staff)."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email


class HistoricalActor(models.Model):
    """Base of every historical model: the named task or command behind a change without a person.

    A person is the row's ``history_user``; see ``trainingops.actors``.
    """

    history_actor = models.CharField(_("changed by (task or command)"), max_length=100, blank=True, default="")

    class Meta:
        abstract = True


class PrivacyNotice(models.Model):
    """One published version of the privacy notice, in English, Spanish and French.

    A version is never edited: a manager publishes a new one (``accounts.services.publish_privacy_notice``),
    and officers who accepted an older one are asked to accept it on their next visit.
    """

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    text_en = models.TextField(_("text (English)"))
    text_es = models.TextField(_("text (Spanish)"))
    text_fr = models.TextField(_("text (French)"))
    published_at = models.DateTimeField(_("published at"), editable=False)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(bases=[HistoricalActor], get_user=history_user)

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="privacy_notice_version_positive")
        ]

    def __str__(self):
        return _("Privacy notice, version %(version)s") % {"version": self.version}

    def text_in(self, language: str | None) -> str:
        """The text in ``language`` (en, es, fr), falling back to English when that one is empty."""
        code = (language or "en")[:2]
        return getattr(self, f"text_{code}", "") or self.text_en


class PrivacyConsent(models.Model):
    """A user's acceptance of one version of the privacy notice, and when.

    On erasure the row stays without its user (``user`` is emptied), so how many people accepted
    each version is still known but not who.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="privacy_consents"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents")
    consented_at = models.DateTimeField(_("accepted at"))

    class Meta:
        ordering = ["-consented_at"]
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "notice"], condition=models.Q(user__isnull=False), name="privacy_consent_once"
            )
        ]

    def __str__(self):
        return _("Version %(version)s accepted at %(when)s") % {
            "version": self.notice.version,
            "when": self.consented_at,
        }
