"""Re-creates, from their projects' published architectures, the small models that games and
devices ship, and exports them as those projects' exporters do.

Run with Debian's python3-torch (1.13) and python3-onnx:  /usr/bin/python3 export_game_models.py
The files are kept in the repository so the tests need no Python; the tests compare NetGen's
import of each with ONNX Runtime.

- mlagents-policy.onnx (written to samples/AgentPolicy/Models, which the AgentPolicy sample
  imports and the tests read too): a Unity ML-Agents vector-observation policy as
  ml-agents/mlagents/trainers/torch_entities builds it (networks.py, encoders.py, layers.py,
  action_model.py, distributions.py) and model_serialization.py exports it, at opset 9: two
  observation inputs obs_0 and obs_1, each through its Normalizer
  (clamp((x - mean) / sqrt(var / steps), -5, 5)), concatenated on axis 1, a 2 x 128 Swish
  encoder (Linear, then x * sigmoid(x)), a continuous Gaussian head (its mean, clamped to
  [-3, 3] and divided by 3) and a discrete head of two branches (masked logits, softmax,
  argmax), an action_masks input, and the constant outputs Unity's loader reads.
- godot-rl-policy.onnx: a Godot RL Agents policy as godot_rl/wrappers/onnx/
  stable_baselines_export.py exports a Stable-Baselines3 PPO MlpPolicy (two 64-wide tanh
  layers, the action net), at opset 17, with inputs obs and state_ins and outputs output and
  state_outs (the state passed through).
- mlperf-anomaly-ae.onnx: MLPerf Tiny's anomaly-detection autoencoder (640 -> 4 x [128,
  BatchNorm, ReLU] -> 8 -> 4 x [128, BatchNorm, ReLU] -> 640), as its Keras reference builds it,
  at opset 13.
"""
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "samples", "AgentPolicy", "Models"))
torch.manual_seed(20261203)


# --- Unity ML-Agents ------------------------------------------------------------------------

class Normalizer(nn.Module):
    """mlagents.trainers.torch_entities.encoders.Normalizer, with trained statistics."""

    def __init__(self, size):
        super().__init__()
        self.normalization_steps = nn.Parameter(torch.tensor(1000.0), requires_grad=False)
        self.running_mean = nn.Parameter(torch.rand(size) * 2 - 1, requires_grad=False)
        self.running_variance = nn.Parameter((torch.rand(size) * 2 + 0.5) * 1000.0, requires_grad=False)

    def forward(self, inputs):
        return torch.clamp((inputs - self.running_mean) / torch.sqrt(self.running_variance / self.normalization_steps), -5, 5)


class Swish(nn.Module):
    def forward(self, data):
        return torch.mul(data, torch.sigmoid(data))


class MLAgentsPolicy(nn.Module):
    MODEL_EXPORT_VERSION = 3

    def __init__(self, observation_sizes, hidden, continuous, branches):
        super().__init__()
        self.normalizers = nn.ModuleList(Normalizer(n) for n in observation_sizes)
        layers = []
        size = sum(observation_sizes)
        for _ in range(2):
            layers += [nn.Linear(size, hidden), Swish()]
            size = hidden
        self.encoder = nn.Sequential(*layers)
        self.mu = nn.Linear(hidden, continuous)
        self.branches = nn.ModuleList(nn.Linear(hidden, b) for b in branches)
        self.branch_sizes = branches
        self.version_number = nn.Parameter(torch.Tensor([self.MODEL_EXPORT_VERSION]), requires_grad=False)
        self.memory_size_vector = nn.Parameter(torch.Tensor([0]), requires_grad=False)
        self.continuous_act_size_vector = nn.Parameter(torch.Tensor([continuous]), requires_grad=False)
        self.discrete_act_size_vector = nn.Parameter(torch.Tensor([branches]), requires_grad=False)

    def forward(self, obs_0, obs_1, action_masks):
        encoded = torch.cat([n(o) for n, o in zip(self.normalizers, (obs_0, obs_1))], dim=1)
        hidden = self.encoder(encoded)
        deterministic_continuous = torch.clamp(self.mu(hidden), -3, 3) / 3
        discrete = []
        start = 0
        for branch, size in zip(self.branches, self.branch_sizes):
            # MultiCategoricalDistribution._mask_branch, then CategoricalDistInstance's softmax
            # (dim=-1) and deterministic_sample (argmax, dim=1, keepdim=True).
            mask = action_masks[:, start:start + size]
            block_mask = -1.0 * mask + 1.0
            logits = branch(hidden) * mask - 1e8 * block_mask
            discrete.append(torch.argmax(torch.softmax(logits, dim=-1), dim=1, keepdim=True))
            start += size
        deterministic_discrete = torch.cat(discrete, dim=1)
        return (self.version_number, self.memory_size_vector, self.continuous_act_size_vector, deterministic_continuous,
                self.discrete_act_size_vector, deterministic_discrete)


mlagents = MLAgentsPolicy(observation_sizes=[8, 4], hidden=128, continuous=2, branches=[3, 2]).eval()
with torch.no_grad():
    # A trained policy's means reach past the export's clamp of ±3: so do these.
    mlagents.mu.weight.mul_(8)
example = (torch.rand(1, 8), torch.rand(1, 4), torch.ones(1, 5))
torch.onnx.export(
    mlagents, example, os.path.join(SAMPLE, "mlagents-policy.onnx"), opset_version=9,
    input_names=["obs_0", "obs_1", "action_masks"],
    output_names=["version_number", "memory_size", "continuous_action_output_shape", "deterministic_continuous_actions",
                  "discrete_action_output_shape", "deterministic_discrete_actions"],
    dynamic_axes={"obs_0": {0: "batch"}, "obs_1": {0: "batch"}, "action_masks": {0: "batch"},
                  "deterministic_continuous_actions": {0: "batch"}, "deterministic_discrete_actions": {0: "batch"}})


# --- Godot RL Agents ------------------------------------------------------------------------

class GodotPolicy(nn.Module):
    """An SB3 PPO MlpPolicy's deterministic actor, wrapped as stable_baselines_export.py does."""

    def __init__(self, observations, actions):
        super().__init__()
        self.policy_net = nn.Sequential(nn.Linear(observations, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())
        self.action_net = nn.Linear(64, actions)

    def forward(self, obs, state_ins):
        return self.action_net(self.policy_net(obs)), state_ins


godot = GodotPolicy(observations=14, actions=3).eval()
torch.onnx.export(
    godot, (torch.rand(1, 14), torch.zeros(1)), os.path.join(HERE, "godot-rl-policy.onnx"), opset_version=17,
    input_names=["obs", "state_ins"], output_names=["output", "state_outs"],
    dynamic_axes={"obs": {0: "batch_size"}, "state_ins": {0: "batch_size"}, "output": {0: "batch_size"}, "state_outs": {0: "batch_size"}})


# --- MLPerf Tiny anomaly detection ----------------------------------------------------------

def dense_block(inputs, outputs):
    return [nn.Linear(inputs, outputs), nn.BatchNorm1d(outputs, eps=1e-3), nn.ReLU()]


layers = []
size = 640
for width in [128, 128, 128, 128, 8, 128, 128, 128, 128]:
    layers += dense_block(size, width)
    size = width
layers.append(nn.Linear(size, 640))
autoencoder = nn.Sequential(*layers)
with torch.no_grad():
    for m in autoencoder:
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.8, 1.2)
            m.bias.uniform_(-0.1, 0.1)
autoencoder.eval()
torch.onnx.export(
    autoencoder, torch.rand(1, 640), os.path.join(HERE, "mlperf-anomaly-ae.onnx"), opset_version=13,
    input_names=["input_1"], output_names=["output"],
    dynamic_axes={"input_1": {0: "batch"}, "output": {0: "batch"}})
