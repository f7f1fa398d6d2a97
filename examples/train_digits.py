"""Train a small MLP on scikit-learn's handwritten digits.

The script is plain PyTorch code. Replacing the import line below with
``import torch`` runs it on PyTorch itself; nothing else needs to change.

    python examples/train_digits.py [--epochs N]
"""

import argparse
import sys

import numpy as np
from sklearn.datasets import load_digits

import mlx_compat as torch

nn = torch.nn
optim = torch.optim
DataLoader = torch.utils.data.DataLoader
TensorDataset = torch.utils.data.TensorDataset


def load_data(seed=0):
    """Return (x_train, y_train, x_test, y_test) as numpy arrays.

    The 8x8 images are upsampled to 28x28 (nearest neighbour via np.kron to
    32x32, then a 2-pixel border is trimmed), scaled to [0, 1] and flattened.
    """
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0  # values 0..16
    big = np.stack([np.kron(img, np.ones((4, 4), np.float32)) for img in images])
    x = big[:, 2:30, 2:30].reshape(len(images), 28 * 28)
    y = digits.target.astype(np.int64)

    order = np.random.RandomState(seed).permutation(len(x))
    n_train = int(0.8 * len(x))
    train, test = order[:n_train], order[n_train:]
    return x[train], y[train], x[test], y[test]


def evaluate(model, x, y):
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
        return 100.0 * (pred == y).sum().item() / len(y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    torch.manual_seed(0)
    x_train, y_train, x_test, y_test = load_data()
    x_train, y_train = torch.tensor(x_train), torch.tensor(y_train)
    x_test, y_test = torch.tensor(x_test), torch.tensor(y_test)

    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    acc = 0.0
    for epoch in range(args.epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        model.eval()
        acc = evaluate(model, x_test, y_test)
        print(f"epoch {epoch + 1}/{args.epochs}  loss {total / count:.4f}  test acc {acc:.2f}%")

    print(f"final test accuracy: {acc:.2f}%")
    if acc < 95.0:
        sys.exit(1)


if __name__ == "__main__":
    main()
