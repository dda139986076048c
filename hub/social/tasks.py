from django_tasks import task

from hub.social.moments import moment_due_run


@task()
def moment_due(moment_id: int) -> str:
    return moment_due_run(moment_id=moment_id)


@task()
def scheduled_post_publish(post_id: int) -> str:
    from hub.social.scheduling import scheduled_post_publish_now

    return scheduled_post_publish_now(post_id=post_id)
