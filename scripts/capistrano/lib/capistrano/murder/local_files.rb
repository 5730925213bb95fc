# The files the tasks keep on this machine: the torrent download_torrent
# fetches and murder:peer sends to every peer. TEMP may be a shared /tmp.

require "tempfile"

module Capistrano
  module Murder
    module_function

    # Writes `path` on this machine (mode 0644) through a file of its own beside
    # it: Tempfile.create makes it with O_CREAT|O_EXCL, so it is new and ours,
    # never a file or symlink planted in TEMP (a shared /tmp); the rename then
    # replaces whatever is at `path` instead of writing through it. Yields the
    # open file.
    def write_local_file(path)
      file = Tempfile.create([".#{File.basename(path)}.", ""], File.dirname(path))
      renamed = false
      begin
        file.binmode
        yield file
        file.chmod(0o644)
        file.close
        File.rename(file.path, path)
        renamed = true
      ensure
        file.close unless file.closed?
        begin
          File.unlink(file.path) unless renamed
        rescue Errno::ENOENT
          nil
        end
      end
    end

    # The torrent download_torrent left at TEMP/TAG.tgz.torrent. TEMP may be a
    # shared /tmp: a symlink, or a file another user made there (before
    # create_torrent ran, or instead of it), or one others may write, is refused
    # rather than sent to the hosts, whose peers would fetch and install what it
    # describes: murderctl's rules (read_private_file).
    def read_local_torrent(the_tag)
      path = torrent(the_tag)
      # NONBLOCK: a FIFO planted there must not hang the open.
      File.open(path, File::RDONLY | File::NOFOLLOW | File::NONBLOCK) do |file|
        stat = file.stat
        stop_run "refusing to use #{path}: it is not a regular file" unless stat.file?
        stop_run "refusing to use #{path}: it belongs to uid #{stat.uid}, not to this user" unless stat.uid == Process.euid
        stop_run "refusing to use #{path}: others may write it (mode #{format('%04o', stat.mode & 0o7777)})" if
          stat.mode.anybits?(0o022)
        file.binmode
        file.read
      end
    rescue Errno::ENOENT
      stop_run "No torrent for tag '#{the_tag}' at #{path}: run murder:create_torrent first"
    rescue Errno::ELOOP
      stop_run "refusing to use #{path}: it is a symbolic link"
    end
  end
end
