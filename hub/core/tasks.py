from django_tasks import task

from hub.core.outbox import outbox_deliver_message, outbox_sweep


@task()
def outbox_deliver(message_id: int) -> None:
    outbox_deliver_message(message_id=message_id)


@task()
def outbox_sweep_task() -> int:
    return outbox_sweep()
