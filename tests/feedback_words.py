"""The one assertion the checker tests share: a checker's feedback says these words (message or hint)."""

from producerkit.checks import Feedback


def said(fb: Feedback, *words: str) -> None:
    """Assert that ``fb``'s message or hint contains every one of ``words`` (case-insensitive)."""
    text = (fb.message + " " + fb.hint).lower()
    for w in words:
        assert w.lower() in text, (w, str(fb))
