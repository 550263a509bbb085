"""The "photos" storage, resolved lazily so a changed `STORAGES` setting (tests) takes effect.

`FileField(storage=...)` keeps the object it is given; this proxy looks up
`storages["photos"]` on first use and forgets it whenever STORAGES/MEDIA_ROOT change.
"""

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PHOTOS = "photos"


class PhotoStorage(LazyObject):  # type: ignore[type-arg]  # generic in the stubs only
    def _setup(self) -> None:
        self._wrapped = storages[PHOTOS]


photo_storage = PhotoStorage()


def get_photo_storage() -> Storage:
    """The callable given to the model's FileFields (kept by reference in migrations)."""
    return photo_storage  # type: ignore[return-value]


@receiver(setting_changed)
def _reset_photo_storage(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STORAGES", "MEDIA_ROOT"}:
        photo_storage._wrapped = empty  # type: ignore[assignment]
