using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes <c>CreateGpuSession</c> for a network with GPU layers: one <c>GpuSessionBuilder</c>
/// call per step, each saying where it runs, over the same weight data the CPU code reads.
/// </summary>
/// <remarks>
/// Where each step runs (<see cref="StepPlan.OnDevice"/>) and which activations the device
/// kernels apply (<see cref="Fusion.Device"/>) are the planner's decisions.
/// </remarks>
internal static class GpuSessionEmitter
{
    private const string Gpu = "global::NetGen.Gpu";

    /// <summary>A summary of the placement for the class's docs, e.g. <c>3 of 4 linear steps</c>.</summary>
    private static string Describe(NetworkPlan plan)
    {
        int linear = plan.Steps.Count(s => s.Kind == StepKind.Linear);
        int device = plan.Steps.Count(s => s.Kind == StepKind.Linear && s.OnDevice);
        return $"{device} of {linear} linear step{(linear == 1 ? string.Empty : "s")}";
    }

    public static void Write(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
    {
        w.Line("/// <summary>");
        w.Line($"/// Creates a session that runs <see cref=\"ForwardBatch\"/>'s math with {Describe(plan)} on");
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
                string where = step.OnDevice ? "true" : "false";
                w.Line();
                foreach (string comment in StepMath.Describe(step, sizes))
                {
                    w.Line("// " + comment);
                }

                if (step.Kind == StepKind.Linear)
                {
                    string activation = "None", parameters = "0f", output = step.Output;
                    if (step.Fuses.HasFlag(Fusion.Device))
                    {
                        var next = plan.Steps[++i];
                        foreach (string comment in StepMath.Describe(next, sizes))
                        {
                            w.Line("// " + comment);
                        }

                        activation = next.Function!.GpuActivation!;
                        parameters = Parameters(next);
                        output = next.Output;
                    }

                    string x = Id(step.Inputs[0]), y = Id(output);
                    string bias = step.Weights[1].Length == 0 ? "default" : "Weights." + step.Weights[1];
                    w.Line($"session.Linear({x}, {y}, {Literals.Int(sizes[step.Inputs[0]])}, {Literals.Int(sizes[step.Output])}, Weights.{step.Weights[0]}, {bias}, {Gpu}.GpuActivation.{activation}, {parameters}, onDevice: {where});");
                    continue;
                }

                string a = Id(step.Inputs[0]);
                string b = step.Inputs.Count > 1 ? Id(step.Inputs[1]) : string.Empty;
                string o = Id(step.Output);
                w.Line(step.Kind switch
                {
                    StepKind.Activation when step.Function!.GpuActivation is null => step.Function.GpuStep(a, o, where) + ";",
                    StepKind.Activation => $"session.Activation({a}, {o}, {Gpu}.GpuActivation.{step.Function.GpuActivation}, {Parameters(step)}, onDevice: {where});",
                    StepKind.LayerNorm => $"session.LayerNorm({a}, {o}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])}, {Literals.Double(step.Scalar)}, onDevice: {where});",
                    StepKind.RmsNorm => $"session.RmsNorm({a}, {o}, {Weight(step.Weights[0])}, {Literals.Double(step.Scalar)}, onDevice: {where});",
                    StepKind.BatchNorm => $"session.BatchNorm({a}, {o}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])}, onDevice: {where});",
                    StepKind.Affine => $"session.Affine({a}, {o}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])}, onDevice: {where});",
                    StepKind.Slice => $"session.Slice({a}, {o}, {Literals.Int((long)step.Scalar)}, onDevice: {where});",
                    StepKind.Mask => $"session.Mask({a}, {b}, {o}, {Literals.Int((long)step.Arguments[0])}, {Literals.Float((float)step.Scalar)}, onDevice: {where});",
                    StepKind.ArgMax => $"session.ArgMax({a}, {o}, new[] {{ {string.Join(", ", step.Arguments.Select(g => Literals.Int((long)g)))} }}, last: {(step.Scalar != 0 ? "true" : "false")}, onDevice: {where});",
                    StepKind.Add => $"session.Add({a}, {b}, {o}, onDevice: {where});",
                    _ => $"session.SwiGluGate({a}, {b}, {o}, onDevice: {where});",
                });
            }

            w.Line();
            w.Line($"return session.Build({Id(plan.OutputTensor)});");
        }

        w.Line();
    }

    /// <summary>
    /// The activation's parameters as the device kernels take them: one (leaky_relu's slope; 0 for
    /// an activation without), or two (clip's bounds, softplus's β and threshold).
    /// </summary>
    private static string Parameters(StepPlan step) => step.Arguments.Count == 0 ? "0f" : string.Join(", ", step.Arguments.Select(Literals.Float));

    private static string Weight(string name) => name.Length == 0 ? "default" : "Weights." + name;
}
