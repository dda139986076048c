from django.db import models


class ToolVersion(models.Model):
    """One version of the screening tool, as loaded from its definition file.

    The content of a version never changes once loaded: each screening keeps
    the version it was made with, so a new version never changes an old result.
    """

    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The checked definition, as in the file it was loaded from.")
    # SHA-256 of the canonical JSON: the same content loads again as a no-op, other content is refused.
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    is_current = models.BooleanField(default=False, help_text="The version new screenings use.")

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="screening_one_current_tool_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"
