"""Signing in and the interface language (the user's own setting, French by default)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from relance.portal.ratelimit import client_ip, rate_limit_hit

LANGUAGES = {code for code, _name in settings.LANGUAGES}
#: sign-in attempts allowed per minute (a person mistyping stays far below; a password-guessing script does not)
LOGIN_ATTEMPTS_PER_ACCOUNT, LOGIN_ATTEMPTS_PER_IP = 5, 20


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """After signing in, the interface speaks the user's language. Attempts are counted per minute, per account
    and per client address (the portal's counter): past the limit the password is not even checked."""

    def post(self, request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
        now = timezone.now()
        account = request.POST.get("username", "").strip().lower()[:254]
        over_ip = rate_limit_hit(key=f"login-ip:{client_ip(request)}", limit=LOGIN_ATTEMPTS_PER_IP, now=now)
        over_account = bool(account) and rate_limit_hit(key=f"login-user:{account}",
                                                        limit=LOGIN_ATTEMPTS_PER_ACCOUNT, now=now)
        if over_ip or over_account:
            response = self.render_to_response(self.get_context_data(form=self.get_form(), throttled=True))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        language = getattr(form.get_user(), "language", "fr")
        if language in LANGUAGES:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                                max_age=settings.LANGUAGE_COOKIE_AGE)
        return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language, remembered on the user so the next sign-in uses it too."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in LANGUAGES and request.user.language != language:  # type: ignore[union-attr]
        request.user.language = language  # type: ignore[union-attr]
        request.user.save(update_fields=["language"])  # type: ignore[union-attr]
    return set_language(request)
