"""The learner-side grader code: the only part of rnn_grade the sandbox mounts."""
