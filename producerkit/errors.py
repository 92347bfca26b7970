"""The exceptions producerkit raises, so a lesson can catch them by kind.

Every message says what was wrong and what to do about it.
"""


class ProducerkitError(Exception):
    """Base class of every error producerkit raises on purpose.

    Lesson: not yet taught
    """


class AudioError(ProducerkitError):
    """Audio that cannot be read, written or used: missing file, corrupt data, bad layout.

    Lesson: not yet taught
    """


class DatasetError(ProducerkitError):
    """The bundled course audio is missing, unknown, or does not match its checksum.

    Lesson: not yet taught
    """


class ParameterError(ProducerkitError, ValueError):
    """A processor or function parameter out of range, with the range that would work.

    Lesson: not yet taught
    """
