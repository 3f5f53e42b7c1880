"""Submissions of assignment 02 that try to break the grader; each is graded with a reason."""
from torchcourse.robust import ALL, Robust

ROBUST = [
    Robust("loops", why="an endless loop, stopped at the cell time limit",
           flag="time limit: correct_mse", costs=["correct_mse"], replace={"mse": '''
def mse(y_hat, y):
    total = 0
    while True:
        total += 1
'''}),
    Robust("stubborn", why="a loop that ignores the interrupt: the kernel is stopped, later lost",
           flag="later cells not run: the kernel did not stop",
           costs=["correct_gd_step", "correct_train"],
           replace={"gd_step": '''
import time

def gd_step(W, b, dW, db, lr):
    while True:
        try:
            time.sleep(0.1)
        except KeyboardInterrupt:
            pass
'''}),
    Robust("exits", why="os._exit kills the kernel: the parts after it are lost, the rest kept",
           flag="kernel died in gradients", costs=["correct_gradients", "correct_gd_step",
                                                  "correct_train"],
           replace={"gradients": '''
import os
os._exit(3)
'''}),
    Robust("hog", why="keeps every step's tensor: memory grows until the kernel's limit",
           flag="memory limit: correct_train", costs=["correct_train"], replace={"train": '''
def train(x, y, lr, num_epochs):
    history = []
    for _epoch in range(64):  # 64 x 64 MB: far beyond the test's limit, bounded without it
        history.append(torch.ones(2 ** 24))
    return history[0][:1], history[0][:1], [0.0] * num_epochs
'''}),
    Robust("syntax", why="a syntax error in an answer cell", flag="syntax error in error_table",
           costs=["correct_error_table"], replace={"error_table": '''
hours, actual, predicted = data.error_table()
errors = actual - predicted
sse = (errors ** 2).sum(
cost_table = (errors ** 2).mean()
'''}),
    Robust("deleted_test", why="deletes the test cell of a wrong answer: it is put back and fails",
           flag="deleted the test cell correct_mse", costs=["correct_mse"],
           delete=["correct_mse"], replace={"mse": '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum()
'''}),
    Robust("deleted_part", why="deletes a part (answer and test cells) and the locked setup "
           "cell: they are put back, and only that part's points are lost",
           flag="deleted the answer cell error_table (put back unanswered)",
           costs=["correct_error_table"], delete=["setup", "error_table", "correct_error_table"]),
    Robust("edited_test", why="empties the test of a wrong answer: the original test is restored",
           flag="edited the locked cell correct_hypothesis", costs=["correct_hypothesis"],
           replace={"correct_hypothesis": "pass", "hypothesis": '''
def hypothesis(x, W, b):
    return x.matmul(W) + b
'''}),
    Robust("misnamed", why="the notebook is uploaded under another name: no notebook to grade",
           flag="missing notebook 02_linear_regression.ipynb", costs=ALL,
           rename="02_linear_regression (1).ipynb"),
    Robust("not_a_notebook", why="a file that is not a notebook (a truncated download)",
           flag="not a readable notebook", costs=ALL, raw='{"cells": [{"cell_type": "code", '),
]
