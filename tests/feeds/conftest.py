import pytest

from config.celery import app


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process, also when REDIS_URL points Celery at a real broker."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
