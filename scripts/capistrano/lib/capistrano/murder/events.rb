# murder_client's JSON event lines (murder's docs/STATUS.md): the one format
# both front ends read, never the programs' human wording.

require "json"

module Capistrano
  module Murder
    module_function

    # The events in `output`, one JSON object with an "event" a line; any other
    # line is skipped.
    def events(output)
      output.to_s.each_line.filter_map do |line|
        event = JSON.parse(line)
        event if event.is_a?(Hash) && event["event"]
      rescue JSON::ParserError
        nil
      end
    end

    # "8.2 MB in 4.21 s (7.9 MB from peers), delivered in 0.35 s", from a peer's done event.
    def done_summary(output)
      done = events(output).reverse.find { |event| event["event"] == "done" }
      return "done" unless done
      format("%.1f MB in %.2f s (%.1f MB from peers), delivered in %.2f s", done["bytes"] / 1e6,
             done["download_seconds"], done["bytes_from_peers"] / 1e6, done["deliver_seconds"])
    end

    # "stopped 1 process; uploaded 1.00 copies (33.6 MB)", from stop events.
    def stop_summary(output)
      stopped = events(output).select { |event| event["event"] == "stop" && event["outcome"] != "not_running" }
      return "was not running" if stopped.empty?
      uploads = stopped.filter_map do |event|
        figures = event["figures"]
        next unless figures.is_a?(Hash) && figures["role"] == "seed"
        format("uploaded %.2f copies (%.1f MB)", figures["copies_uploaded"], figures["bytes_uploaded"] / 1e6)
      end
      (["stopped #{stopped.size} process#{stopped.size > 1 ? 'es' : ''}"] + uploads).join("; ")
    end
  end
end
