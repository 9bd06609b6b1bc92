import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Imported PDFs are stored under a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
