"""feedback-harness: which source of AI feedback aligns a model best, the model itself or a teacher?"""

__version__ = "0.1.0"
