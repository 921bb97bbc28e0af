# Lesson 07's BatchNorm2d takes lesson 04's switches (BatchNormOptions, declared once in
# eval_mode.hpp): lesson 04's contract, and its code in lesson 07's workers.
set(lesson_uses 04_eval_mode)
