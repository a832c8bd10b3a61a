"""The sign-in backend: Django's, except that a signed-in user comes with their unit in the same query.

Nearly every page reads ``request.user.unit`` (the visibility rules, the header), so loading it with the
user saves one query per request.
"""

from django.contrib.auth.backends import ModelBackend, UserModel


class ModelBackendWithUnit(ModelBackend):
    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related("unit").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
