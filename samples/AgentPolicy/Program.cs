using System;
using System.Diagnostics;
using NetGen;

// A game loop that runs one policy for many agents each frame: the ML-Agents policy in
// Models/mlagents-policy.onnx (re-created from ML-Agents' architecture by the tests' export
// script, with untrained weights) is two NetGenModel items, converted at build time: its
// continuous actions (AgentPolicy) and its discrete actions (AgentPolicyDiscrete: two branches,
// masked by an input). Each frame writes every agent's two observations where the generated
// constants say (Obs0Offset, Obs1Offset) and its action mask (ActionMasksOffset), runs each
// ForwardBatch once for all agents, and moves each agent by its actions.
const int Agents = 1024;
const int Frames = 600; // ten seconds at 60 frames a second
const float Step = 1f / 60f;
const int Cooldown = 30; // frames after a dash before the next is allowed

Console.WriteLine($"AgentPolicy (from mlagents-policy.onnx, ML-Agents export version {AgentPolicy.VersionNumber}): " +
    $"observations {AgentPolicy.Obs0Size} + {AgentPolicy.Obs1Size} = {AgentPolicy.InputSize} floats, {AgentPolicy.ContinuousActionOutputShape} continuous actions, {AgentPolicy.ParameterCount:N0} parameters");
Console.WriteLine($"AgentPolicyDiscrete (the same file's discrete head): the observations and an action mask of {AgentPolicyDiscrete.ActionMasksSize} " +
    $"= {AgentPolicyDiscrete.InputSize} floats, branches of {AgentPolicyDiscrete.DiscreteActionOutputShape[0]} and {AgentPolicyDiscrete.DiscreteActionOutputShape[1]} actions");

var random = new Random(60);
var position = new (float X, float Y)[Agents];
var velocity = new (float X, float Y)[Agents];
var target = new (float X, float Y)[Agents];
var cooldown = new int[Agents];
for (int a = 0; a < Agents; a++)
{
    position[a] = (Next(random, 10), Next(random, 10));
    target[a] = (Next(random, 10), Next(random, 10));
}

// Every buffer is made once: a frame allocates nothing.
float[] observations = new float[Agents * AgentPolicy.InputSize];
float[] actions = new float[Agents * AgentPolicy.OutputSize];
float[] masked = new float[Agents * AgentPolicyDiscrete.InputSize];
float[] choices = new float[Agents * AgentPolicyDiscrete.OutputSize];
long[] ticks = new long[Frames];
long allocated = 0;
int dashes = 0, brakes = 0, maskedPicks = 0, forbidden = 0;
var clock = new Stopwatch();
for (int frame = 0; frame < Frames; frame++)
{
    for (int a = 0; a < Agents; a++)
    {
        Span<float> row = observations.AsSpan(a * AgentPolicy.InputSize, AgentPolicy.InputSize);
        Span<float> self = row.Slice(AgentPolicy.Obs0Offset, AgentPolicy.Obs0Size);
        self[0] = position[a].X;
        self[1] = position[a].Y;
        self[2] = velocity[a].X;
        self[3] = velocity[a].Y;
        self[4] = target[a].X - position[a].X;
        self[5] = target[a].Y - position[a].Y;
        self[6] = MathF.Sqrt((self[4] * self[4]) + (self[5] * self[5]));
        self[7] = (float)frame / Frames;

        // The second observation: the next agent's offset and the distances to the arena's walls.
        Span<float> surroundings = row.Slice(AgentPolicy.Obs1Offset, AgentPolicy.Obs1Size);
        var other = position[(a + 1) % Agents];
        surroundings[0] = other.X - position[a].X;
        surroundings[1] = other.Y - position[a].Y;
        surroundings[2] = 10 - MathF.Abs(position[a].X);
        surroundings[3] = 10 - MathF.Abs(position[a].Y);

        // The discrete head reads the same observations, then the mask: branch 0 is keep, dash or
        // brake (dash not allowed while cooling down); branch 1 is quiet or signal (both allowed).
        Span<float> discrete = masked.AsSpan(a * AgentPolicyDiscrete.InputSize, AgentPolicyDiscrete.InputSize);
        row.CopyTo(discrete.Slice(AgentPolicyDiscrete.Obs0Offset, AgentPolicy.InputSize));
        Span<float> mask = discrete.Slice(AgentPolicyDiscrete.ActionMasksOffset, AgentPolicyDiscrete.ActionMasksSize);
        mask.Fill(1f);
        mask[1] = cooldown[a] == 0 ? 1f : 0f;
        forbidden += cooldown[a] == 0 ? 0 : 1;
    }

    long before = GC.GetAllocatedBytesForCurrentThread();
    clock.Restart();
    AgentPolicy.ForwardBatch(observations, actions);
    AgentPolicyDiscrete.ForwardBatch(masked, choices);
    ticks[frame] = clock.ElapsedTicks;
    allocated += frame == 0 ? 0 : GC.GetAllocatedBytesForCurrentThread() - before;

    // The continuous actions are accelerations in [-1, 1] (the export clamps them to ±3 and
    // divides by 3); the discrete ones are indices within each branch.
    for (int a = 0; a < Agents; a++)
    {
        float ax = actions[a * AgentPolicy.OutputSize], ay = actions[(a * AgentPolicy.OutputSize) + 1];
        var v = (X: velocity[a].X + (ax * Step), Y: velocity[a].Y + (ay * Step));
        switch ((int)choices[a * AgentPolicyDiscrete.OutputSize])
        {
            case 1:
                maskedPicks += cooldown[a] > 0 ? 1 : 0;
                v = (v.X * 1.5f, v.Y * 1.5f);
                cooldown[a] = Cooldown;
                dashes++;
                break;
            case 2:
                v = (v.X * 0.5f, v.Y * 0.5f);
                brakes++;
                break;
        }

        cooldown[a] = Math.Max(0, cooldown[a] - 1);
        velocity[a] = v;
        position[a] = (Math.Clamp(position[a].X + (v.X * Step), -10, 10), Math.Clamp(position[a].Y + (v.Y * Step), -10, 10));
    }

    if (frame % 150 == 0)
    {
        Console.WriteLine($"frame {frame,3}: agent 0 at ({position[0].X,6:F2}, {position[0].Y,6:F2}), action ({actions[0],6:F3}, {actions[1],6:F3}), discrete ({choices[0]}, {choices[1]})");
    }
}

// Frame 0 compiles the code it runs (the JIT), and is reported apart from the others.
double Microseconds(long t) => t * 1e6 / Stopwatch.Frequency;
long[] steady = ticks[1..];
Array.Sort(steady);
Console.WriteLine($"{Agents} agents a frame, both ForwardBatch calls: frame 0 {Microseconds(ticks[0]):F0} µs (compiling), then median {Microseconds(steady[steady.Length / 2]):F0} µs, " +
    $"99th percentile {Microseconds(steady[steady.Length * 99 / 100]):F0} µs ({Microseconds(steady[steady.Length / 2]) * 1000 / Agents:F0} ns an agent); " +
    $"{allocated} bytes allocated by ForwardBatch in frames 1 to {Frames - 1}");
Console.WriteLine($"Discrete actions: {dashes} dashes, {brakes} brakes; dash was masked in {forbidden} of {Agents * Frames} decisions, and picked there {maskedPicks} times");
if (maskedPicks != 0)
{
    throw new InvalidOperationException("The discrete head picked an action its mask forbade.");
}

static float Next(Random random, float scale) => (float)(((random.NextDouble() * 2) - 1) * scale);

[Network("mlagents-policy.onnx")]
public static partial class AgentPolicy;

[Network("mlagents-policy-discrete.netgen.json")]
public static partial class AgentPolicyDiscrete;
