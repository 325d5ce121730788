"""Compiled kernel of battle management's threat correlation (`BattleManager._threat_groups`): the connected
components of the graph whose edges are the given track pairs (a track holding a partner's track) plus every pair
of tracks close enough to be one threat.

Why: a cycle correlates some 700 tracks of two nations; a k-d tree's build and pair query, the gap test of its
pairs and the components in numpy took about 0.8 ms a cycle, mostly in per-call overhead. One sweep along the axis
of the largest spread finds the same close pairs (the gap is the per-pair `np.linalg.norm`'s: squares summed in
axis order, then the root), and a union-find whose roots are always the least member gives each track its
component's least member, whatever the order in which the edges come (`assign_kernels.forest_join`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel
from amdx.tracking.assign_kernels import forest_join, forest_root


@kernel
def threat_components(first: NDArray[np.intp], second: NDArray[np.intp], pos: NDArray[np.float64],
                      sigma: NDArray[np.float64], same_m: float, min_m: float) -> NDArray[np.intp]:
    """(n,) the least member of each track's component, tracks being the rows of `pos` (n, 3), m, with position
    errors `sigma` (n,), m. Edges: (first[e], second[e]) and every pair at most `same_m` apart whose gap is at most
    max(`min_m`, 3 (sigma_a + sigma_b))."""
    n = pos.shape[0]
    root = np.arange(n)
    for e in range(first.size):
        forest_join(root, first[e], second[e])
    ax, spread = 0, -1.0  # sweep along the axis of the largest spread: along x, a theatre near ±90° longitude
    for c in range(3):    # would line most tracks up at one x and make the sweep quadratic
        if n and pos[:, c].max() - pos[:, c].min() > spread:
            ax, spread = c, pos[:, c].max() - pos[:, c].min()
    order = np.argsort(pos[:, ax])
    for a in range(n):
        i = order[a]
        for b in range(a + 1, n):
            j = order[b]
            if pos[j, ax] - pos[i, ax] > same_m:
                break  # every later track is further along the axis alone
            dx, dy, dz = pos[i, 0] - pos[j, 0], pos[i, 1] - pos[j, 1], pos[i, 2] - pos[j, 2]
            gap = np.sqrt(dx * dx + dy * dy + dz * dz)
            if gap <= same_m and gap <= np.maximum(min_m, 3.0 * (sigma[i] + sigma[j])):
                forest_join(root, i, j)
    for i in range(n):
        root[i] = forest_root(root, i)
    return root
