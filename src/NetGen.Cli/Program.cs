using System;
using NetGen.Cli;

return new NetGenCli(Console.Out, Console.Error).Run(args);
