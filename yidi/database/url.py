"""Which database to use: YIDI_DATABASE_URL, else the embedded server under YIDI_DATA_DIR."""

from yidi.config import Settings
from yidi.database.embedded import start_embedded


def resolve_database_url(settings: Settings | None = None) -> str:
    settings = settings or Settings()
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.data_dir)
