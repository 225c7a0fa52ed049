"""A real local HTTP server that speaks the OpenAI and Gemini wire protocols, and its answer rules."""
