"""The intake app's permission-checked actions (registered for ``kefu.core.actions.load_all``)."""

from kefu.intake.phone.actions import check_add_call_notes, check_finish_callback, check_log_contact

__all__ = ["check_add_call_notes", "check_finish_callback", "check_log_contact"]
