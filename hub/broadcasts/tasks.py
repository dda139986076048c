from django_tasks import task

from hub.broadcasts.sending import bulletin_deliver_run


@task()
def bulletin_deliver(bulletin_id: int) -> int:
    return bulletin_deliver_run(bulletin_id=bulletin_id)
