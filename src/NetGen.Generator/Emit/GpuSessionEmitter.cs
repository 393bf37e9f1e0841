using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes <c>CreateGpuSession</c> for a network with GPU layers: one <c>GpuSessionBuilder</c>
/// call per step, each saying where it runs, over the same weight data the CPU code reads.
/// </summary>
/// <remarks>
/// Placement: a linear step runs on the device when its layer says so (<c>"gpu": true</c>), or,
/// unless its layer says <c>false</c>, when the network's rule picks it (<c>"all"</c>, or
/// <c>"large"</c> with at least <c>gpu_min_weights</c> weights). Every other step runs where its
/// input is (on the device if any input is there), so data crosses the bus only where a CPU
/// layer meets a GPU one. An element-wise activation that only reads a linear step's output is
/// fused into that step's store, as in <c>ForwardBatch</c>.
/// </remarks>
internal static class GpuSessionEmitter
{
    private const string Gpu = "global::NetGen.Gpu";

    /// <summary>Where each step runs, or null when no linear step goes to the device (no session).</summary>
    public static bool[]? Placement(NetworkPlan plan, NetworkTarget target)
    {
        var mode = target.Gpu ?? plan.Gpu;
        long minWeights = target.GpuMinWeights ?? plan.GpuMinWeights;
        var weights = plan.Weights.ToDictionary(w => w.Name, w => w.Count);
        var onDevice = new HashSet<string>();
        var placement = new bool[plan.Steps.Count];
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            placement[i] = step.Kind == StepKind.Linear
                ? step.Gpu ?? (mode == GpuLayers.All || (mode == GpuLayers.Large && weights[step.Weights[0]] >= minWeights))
                : step.Inputs.Any(onDevice.Contains);
            if (placement[i])
            {
                onDevice.Add(step.Output);
            }
        }

        return plan.Steps.Where((s, i) => s.Kind == StepKind.Linear && placement[i]).Any() ? placement : null;
    }

    /// <summary>A summary of the placement for the class's docs, e.g. <c>3 of 4 linear layers</c>.</summary>
    public static string Describe(NetworkPlan plan, bool[] placement)
    {
        int linear = plan.Steps.Count(s => s.Kind == StepKind.Linear);
        int device = plan.Steps.Where((s, i) => s.Kind == StepKind.Linear && placement[i]).Count();
        return $"{device} of {linear} linear step{(linear == 1 ? string.Empty : "s")}";
    }

    public static void Write(SourceWriter w, NetworkPlan plan, bool[] placement, CancellationToken cancellationToken)
    {
        w.Line("/// <summary>");
        w.Line($"/// Creates a session that runs <see cref=\"ForwardBatch\"/>'s math with {Describe(plan, placement)} on");
        w.Line("/// <paramref name=\"device\"/> (see each step's comment). The weights those steps read are uploaded once, here;");
        w.Line("/// dispose the session to release them. The session's results agree with ForwardBatch within the format's bound.");
        w.Line("/// </summary>");
        w.Line($"/// <param name=\"device\">The accelerator, from <see cref=\"{Gpu}.GpuDevice.Create\"/>.</param>");
        w.Line("/// <param name=\"maxRows\">The most rows one pass holds; device buffers are sized for it and longer batches run in blocks.</param>");
        w.Line($"/// <exception cref=\"{Gpu}.GpuOutOfMemoryException\">The device has too little memory for the weights and buffers.</exception>");
        using (w.Block($"public static {Gpu}.GpuSession CreateGpuSession({Gpu}.GpuDevice device, int maxRows = 1024)"))
        {
            w.Line($"using var session = new {Gpu}.GpuSessionBuilder(device, InputSize, maxRows);");
            var sizes = plan.Tensors.ToDictionary(t => t.Name, t => t.Size);
            sizes[NetworkPlan.Input] = plan.InputSize;
            var ids = new Dictionary<string, string> { [NetworkPlan.Input] = $"{Gpu}.GpuSessionBuilder.Input" };
            var readers = plan.Steps.SelectMany(s => s.Inputs).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());

            string Id(string tensor)
            {
                if (!ids.TryGetValue(tensor, out string? id))
                {
                    id = "t" + Literals.Int(ids.Count - 1);
                    ids[tensor] = id;
                    w.Line($"int {id} = session.Tensor(\"{tensor}\", {Literals.Int(sizes[tensor])});");
                }

                return id;
            }

            for (int i = 0; i < plan.Steps.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = plan.Steps[i];
                string where = placement[i] ? "true" : "false";
                w.Line();
                foreach (string comment in StepMath.Describe(step, sizes))
                {
                    w.Line("// " + comment);
                }

                if (step.Kind == StepKind.Linear)
                {
                    string activation = "None", alpha = "0f", output = step.Output;
                    if (i + 1 < plan.Steps.Count && Activation(plan.Steps[i + 1]) is { } fused
                        && plan.Steps[i + 1].Inputs[0] == step.Output && readers[step.Output] == 1 && step.Output != plan.OutputTensor)
                    {
                        var next = plan.Steps[++i];
                        foreach (string comment in StepMath.Describe(next, sizes))
                        {
                            w.Line("// " + comment);
                        }

                        activation = fused;
                        alpha = Alpha(next);
                        output = next.Output;
                    }

                    string x = Id(step.Inputs[0]), y = Id(output);
                    string bias = step.Weights[1].Length == 0 ? "default" : "Weights." + step.Weights[1];
                    w.Line($"session.Linear({x}, {y}, {Literals.Int(sizes[step.Inputs[0]])}, {Literals.Int(sizes[step.Output])}, Weights.{step.Weights[0]}, {bias}, {Gpu}.GpuActivation.{activation}, {alpha}, onDevice: {where});");
                    continue;
                }

                string a = Id(step.Inputs[0]);
                string b = step.Inputs.Count > 1 ? Id(step.Inputs[1]) : string.Empty;
                string o = Id(step.Output);
                w.Line(step.Kind switch
                {
                    StepKind.Softmax or StepKind.LogSoftmax => $"session.Softmax({a}, {o}, log: {(step.Kind == StepKind.LogSoftmax ? "true" : "false")}, onDevice: {where});",
                    StepKind.LayerNorm => $"session.LayerNorm({a}, {o}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])}, {Literals.Double(step.Scalar)}, onDevice: {where});",
                    StepKind.RmsNorm => $"session.RmsNorm({a}, {o}, {Weight(step.Weights[0])}, {Literals.Double(step.Scalar)}, onDevice: {where});",
                    StepKind.BatchNorm => $"session.BatchNorm({a}, {o}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])}, {Weight(step.Weights[2])}, onDevice: {where});",
                    StepKind.Add => $"session.Add({a}, {b}, {o}, onDevice: {where});",
                    StepKind.SwiGluGate => $"session.SwiGluGate({a}, {b}, {o}, onDevice: {where});",
                    _ => $"session.Activation({a}, {o}, {Gpu}.GpuActivation.{Activation(step) ?? "None"}, {Alpha(step)}, onDevice: {where});",
                });
            }

            w.Line();
            w.Line($"return session.Build({Id(plan.OutputTensor)});");
        }

        w.Line();
    }

    /// <summary>The <c>GpuActivation</c> member of an element-wise step, or null for any other step.</summary>
    private static string? Activation(StepPlan step) => step.Kind switch
    {
        StepKind.Relu or StepKind.LeakyRelu or StepKind.Gelu or StepKind.GeluTanh or StepKind.Silu or StepKind.Sigmoid or StepKind.Tanh => step.Kind.ToString(),
        _ => null,
    };

    /// <summary>leaky_relu's slope; 0 for every other step.</summary>
    private static string Alpha(StepPlan step) => step.Kind == StepKind.LeakyRelu ? Literals.Float((float)step.Scalar) : "0f";

    private static string Weight(string name) => name.Length == 0 ? "default" : "Weights." + name;
}
