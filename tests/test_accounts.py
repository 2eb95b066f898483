import pytest


@pytest.mark.parametrize("limit", ["many", None, -1, 51])
def test_bad_chat_limits_are_refused_clearly(roles, limit):
    from kefu.accounts.actions import check_set_max_chats
    from kefu.core.errors import ValidationFailed

    agent = roles["reception"]
    with pytest.raises(ValidationFailed, match="between 0 and 50"):
        check_set_max_chats(agent, limit, actor=roles["supervisor"])
    agent.refresh_from_db()
    assert agent.max_concurrent_chats == 5
