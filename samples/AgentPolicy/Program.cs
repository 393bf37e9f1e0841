using System;
using System.Diagnostics;
using NetGen;

// A game loop that runs one policy for many agents each frame: the ML-Agents policy in
// Models/mlagents-policy.onnx (re-created from ML-Agents' architecture by the tests' export
// script, with untrained weights) is a NetGenModel item, converted at build time. Each frame
// writes every agent's two observations where the generated constants say (Obs0Offset,
// Obs1Offset), runs ForwardBatch once for all agents, and moves each agent by its actions.
const int Agents = 1024;
const int Frames = 600; // ten seconds at 60 frames a second
const float Step = 1f / 60f;

Console.WriteLine($"AgentPolicy (from mlagents-policy.onnx, ML-Agents export version {AgentPolicy.VersionNumber}): " +
    $"observations {AgentPolicy.Obs0Size} + {AgentPolicy.Obs1Size} = {AgentPolicy.InputSize} floats, {AgentPolicy.ContinuousActionOutputShape} continuous actions, {AgentPolicy.ParameterCount:N0} parameters");

var random = new Random(60);
var position = new (float X, float Y)[Agents];
var velocity = new (float X, float Y)[Agents];
var target = new (float X, float Y)[Agents];
for (int a = 0; a < Agents; a++)
{
    position[a] = (Next(random, 10), Next(random, 10));
    target[a] = (Next(random, 10), Next(random, 10));
}

// Every buffer is made once: a frame allocates nothing.
float[] observations = new float[Agents * AgentPolicy.InputSize];
float[] actions = new float[Agents * AgentPolicy.OutputSize];
long[] ticks = new long[Frames];
long allocated = 0;
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
    }

    long before = GC.GetAllocatedBytesForCurrentThread();
    clock.Restart();
    AgentPolicy.ForwardBatch(observations, actions);
    ticks[frame] = clock.ElapsedTicks;
    allocated += frame == 0 ? 0 : GC.GetAllocatedBytesForCurrentThread() - before;

    // The actions are accelerations in [-1, 1] (the export clamps them to ±3 and divides by 3).
    for (int a = 0; a < Agents; a++)
    {
        float ax = actions[a * AgentPolicy.OutputSize], ay = actions[(a * AgentPolicy.OutputSize) + 1];
        velocity[a] = (velocity[a].X + (ax * Step), velocity[a].Y + (ay * Step));
        position[a] = (Math.Clamp(position[a].X + (velocity[a].X * Step), -10, 10), Math.Clamp(position[a].Y + (velocity[a].Y * Step), -10, 10));
    }

    if (frame % 150 == 0)
    {
        Console.WriteLine($"frame {frame,3}: agent 0 at ({position[0].X,6:F2}, {position[0].Y,6:F2}), action ({actions[0],6:F3}, {actions[1],6:F3})");
    }
}

// Frame 0 compiles the code it runs (the JIT), and is reported apart from the others.
double Microseconds(long t) => t * 1e6 / Stopwatch.Frequency;
long[] steady = ticks[1..];
Array.Sort(steady);
Console.WriteLine($"{Agents} agents a frame, one ForwardBatch: frame 0 {Microseconds(ticks[0]):F0} µs (compiling), then median {Microseconds(steady[steady.Length / 2]):F0} µs, " +
    $"99th percentile {Microseconds(steady[steady.Length * 99 / 100]):F0} µs ({Microseconds(steady[steady.Length / 2]) * 1000 / Agents:F0} ns an agent); " +
    $"{allocated} bytes allocated by ForwardBatch in frames 1 to {Frames - 1}");

static float Next(Random random, float scale) => (float)(((random.NextDouble() * 2) - 1) * scale);

[Network("mlagents-policy.onnx")]
public static partial class AgentPolicy;
