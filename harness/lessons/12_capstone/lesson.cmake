# Lesson 12 (the capstone) wires the lessons' BatchNorm into an MLP: their code goes into
# its workers, and its tests train a model, so its workers are optimised.
set(lesson_uses 01_batch_statistics 04_eval_mode 06_backward_fast 08_other_norms)
set(lesson_optimize ON)
set(lesson_test_libraries bnkit_capstone_data)
