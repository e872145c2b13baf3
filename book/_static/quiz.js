// Self-check quizzes built by book/_ext/quiz.py: checked in the browser, no kernel, no network.
// The feedback element is a polite live region, so a screen reader reads the verdict and the
// explanation as soon as they appear.
(function () {
  "use strict";

  function parseNumber(text) {
    const s = text.trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    const num = "[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?";
    if (new RegExp("^" + num + "$", "i").test(s)) return Number(s);
    const frac = s.match(new RegExp("^(" + num + ")/(" + num + ")$", "i"));
    return frac ? Number(frac[1]) / Number(frac[4]) : NaN;
  }

  function show(quiz, ok, verdict, whyKey) {
    const feedback = quiz.querySelector(".rnn-quiz-feedback");
    feedback.querySelectorAll(".rnn-quiz-why").forEach((p) => {
      p.hidden = p.dataset.choice !== whyKey;
    });
    const v = feedback.querySelector(".rnn-quiz-verdict");
    v.textContent = verdict;
    quiz.classList.toggle("rnn-quiz-right", ok === true);
    quiz.classList.toggle("rnn-quiz-wrong", ok === false);
  }

  function checkChoice(quiz) {
    const picked = quiz.querySelector("input[type=radio]:checked");
    quiz.querySelectorAll(".rnn-quiz-choice").forEach((c) => {
      c.classList.remove("rnn-quiz-picked-right", "rnn-quiz-picked-wrong");
    });
    if (!picked) return show(quiz, null, "Choose an answer first.", null);
    const ok = picked.dataset.correct === "true";
    picked.parentElement.classList.add(ok ? "rnn-quiz-picked-right" : "rnn-quiz-picked-wrong");
    show(quiz, ok, ok ? "Right." : "Not quite. Try another answer.", picked.value);
  }

  function checkNumber(quiz) {
    const input = quiz.querySelector("input[data-answer]");
    const value = parseNumber(input.value);
    if (!Number.isFinite(value)) {
      input.setAttribute("aria-invalid", "true");
      return show(quiz, null, "Type a number, for example 0.25 or 1/4.", null);
    }
    input.removeAttribute("aria-invalid");
    const answer = Number(input.dataset.answer);
    const tol = Number(input.dataset.tolerance);
    const ok = Math.abs(value - answer) <= tol + 1e-9 * Math.max(1, Math.abs(answer));
    if (ok) return show(quiz, true, "Right: the answer is " + answer + ".", "answer");
    show(quiz, false, "Not quite: " + value + " is not the answer. Try again.", null);
  }

  function setup(quiz) {
    const form = quiz.querySelector("form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (quiz.dataset.kind === "choice") checkChoice(quiz);
      else checkNumber(quiz);
    });
  }

  function init() {
    document.querySelectorAll(".rnn-quiz").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
