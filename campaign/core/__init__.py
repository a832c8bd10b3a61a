"""Infrastructure every app may use. It imports no app of the project, so any app may import it."""
