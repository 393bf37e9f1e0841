using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// ONNX Runtime as a user would run it for the lowest latency: the network as an ONNX model
/// (Gemm with transB = 1 per linear layer, then the activation op), one intra-op thread, every
/// graph optimization, and input and output <see cref="OrtValue"/>s allocated once over pinned arrays.
/// With <c>threads</c> above 1, its intra-op thread pool splits each operator across that many threads.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly string[] _inputNames = ["x"];
    private readonly string[] _outputNames = ["y"];

    public OnnxModel(IReadOnlyList<MlpLayer> layers, int batch, float[] input, float[] output, int threads = 1)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(Build(layers, batch), options);
        _input = OrtValue.CreateTensorValueFromMemory(input, [batch, layers[0].In]);
        _output = OrtValue.CreateTensorValueFromMemory(output, [batch, layers[^1].Out]);
    }

    public void Run() => _session.Run(_runOptions, _inputNames, [_input], _outputNames, [_output]);

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>Writes the ModelProto (onnx.proto3 field numbers), opset 20.</summary>
    public static byte[] Build(IReadOnlyList<MlpLayer> layers, int batch)
    {
        var graph = new List<byte[]>();
        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        string x = "x";
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            string w = $"W{l}", b = $"B{l}", z = $"Z{l}";
            bool last = l == layers.Count - 1;
            string y = layer.Activation == "identity" ? (last ? "y" : z) : z;
            initializers.Add(Tensor(w, [layer.Out, layer.In], layer.Weight));
            initializers.Add(Tensor(b, [layer.Out], layer.Bias));
            nodes.Add(Node("Gemm", [x, w, b], y, Message(s => Attribute(s, "transB", 1))));
            if (layer.Activation != "identity")
            {
                string a = last ? "y" : $"A{l}";
                string op = layer.Activation switch
                {
                    "relu" => "Relu",
                    "sigmoid" => "Sigmoid",
                    "gelu" => "Gelu",
                    "softmax" => "Softmax",
                    "tanh" => "Tanh",
                    _ => throw new NotSupportedException(layer.Activation),
                };
                nodes.Add(Node(op, [z], a, null));
                y = a;
            }

            x = y;
        }

        byte[] graphBytes = Message(s =>
        {
            foreach (var node in nodes)
            {
                Bytes(s, 1, node);
            }

            String(s, 2, "netgen-benchmark");
            foreach (var tensor in initializers)
            {
                Bytes(s, 5, tensor);
            }

            Bytes(s, 11, ValueInfo("x", batch, layers[0].In));
            Bytes(s, 12, ValueInfo("y", batch, layers[^1].Out));
        });

        return Message(s =>
        {
            s.WriteTag(1, WireFormat.WireType.Varint);
            s.WriteInt64(9);
            String(s, 2, "NetGen.Benchmarks");
            Bytes(s, 7, graphBytes);
            Bytes(s, 8, Message(o =>
            {
                String(o, 1, string.Empty);
                o.WriteTag(2, WireFormat.WireType.Varint);
                o.WriteInt64(20);
            }));
        });
    }

    private static byte[] Node(string op, string[] inputs, string output, byte[]? attribute) => Message(s =>
    {
        foreach (string input in inputs)
        {
            String(s, 1, input);
        }

        String(s, 2, output);
        String(s, 3, op + "_" + output);
        String(s, 4, op);
        if (attribute is not null)
        {
            Bytes(s, 5, attribute);
        }
    });

    private static void Attribute(CodedOutputStream s, string name, long value)
    {
        String(s, 1, name);
        s.WriteTag(3, WireFormat.WireType.Varint);
        s.WriteInt64(value);
        s.WriteTag(20, WireFormat.WireType.Varint);
        s.WriteEnum(2);
    }

    private static byte[] Tensor(string name, long[] dims, float[] values) => Message(s =>
    {
        foreach (long d in dims)
        {
            s.WriteTag(1, WireFormat.WireType.Varint);
            s.WriteInt64(d);
        }

        s.WriteTag(2, WireFormat.WireType.Varint);
        s.WriteInt32(1);
        String(s, 8, name);
        Bytes(s, 9, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    });

    private static byte[] ValueInfo(string name, long rows, long columns) => Message(s =>
    {
        String(s, 1, name);
        Bytes(s, 2, Message(type => Bytes(type, 1, Message(tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint);
            tensor.WriteInt32(1);
            Bytes(tensor, 2, Message(shape =>
            {
                foreach (long d in new[] { rows, columns })
                {
                    Bytes(shape, 1, Message(dim =>
                    {
                        dim.WriteTag(1, WireFormat.WireType.Varint);
                        dim.WriteInt64(d);
                    }));
                }
            }));
        }))));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        using (var stream = new CodedOutputStream(memory, leaveOpen: true))
        {
            write(stream);
        }

        return memory.ToArray();
    }

    private static void String(CodedOutputStream s, int field, string value)
    {
        s.WriteTag(field, WireFormat.WireType.LengthDelimited);
        s.WriteString(value);
    }

    private static void Bytes(CodedOutputStream s, int field, byte[] value)
    {
        s.WriteTag(field, WireFormat.WireType.LengthDelimited);
        s.WriteBytes(ByteString.CopyFrom(value));
    }
}
