from django.db import models


class DataRevision(models.Model):
    """One row whose token changes after every committed write to the plans' data.

    Computed figures (``scorecard.cache``) are kept under the token they were computed
    with; a new token tells every process that they may be out of date.
    """

    token = models.CharField(max_length=32)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return self.token
