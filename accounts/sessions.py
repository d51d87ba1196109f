"""The session engine (`SESSION_ENGINE = "accounts.sessions"`): Django's database store,
with the signed-in user's id written on every save so one person's sessions can be ended."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get("_auth_user_id"))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance


def sessions_end_for_user(*, user_id: int, keep_session_key: str | None = None) -> int:
    """Delete every stored session of this user (except `keep_session_key`); returns the count."""
    from accounts.models import UserSession

    sessions = UserSession.objects.filter(user_id=user_id)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    deleted, _ = sessions.delete()
    return deleted
