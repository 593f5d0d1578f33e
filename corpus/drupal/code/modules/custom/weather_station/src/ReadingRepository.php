<?php

declare(strict_types=1);

namespace Drupal\weather_station;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Database\Connection;

/**
 * Stores and queries station readings in the weather_station_reading table.
 */
class ReadingRepository {

  protected const TABLE = 'weather_station_reading';

  /**
   * Constructs a new ReadingRepository object.
   */
  public function __construct(
    protected readonly Connection $database,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Saves a reading unless the station already reported that moment.
   *
   * @return bool
   *   TRUE if the reading was new and has been stored.
   */
  public function save(Reading $reading): bool {
    $exists = $this->database->select(self::TABLE, 'r')
      ->condition('r.station', $reading->station)
      ->condition('r.observed', $reading->observed)
      ->countQuery()
      ->execute()
      ->fetchField();
    if ($exists) {
      return FALSE;
    }
    $this->database->insert(self::TABLE)->fields($reading->toRow())->execute();
    return TRUE;
  }

  /**
   * Loads the most recent reading of a station.
   */
  public function latest(string $station): ?Reading {
    $row = $this->database->select(self::TABLE, 'r')
      ->fields('r')
      ->condition('r.station', $station)
      ->orderBy('r.observed', 'DESC')
      ->range(0, 1)
      ->execute()
      ->fetchObject();
    return $row ? Reading::fromRow($row) : NULL;
  }

  /**
   * Loads the readings of a station over the last hours, newest first.
   *
   * @return \Drupal\weather_station\Reading[]
   *   The readings.
   */
  public function history(string $station, int $hours = 24): array {
    $since = $this->time->getRequestTime() - $hours * 3600;
    $rows = $this->database->select(self::TABLE, 'r')
      ->fields('r')
      ->condition('r.station', $station)
      ->condition('r.observed', $since, '>=')
      ->orderBy('r.observed', 'DESC')
      ->execute();
    $readings = [];
    foreach ($rows as $row) {
      $readings[] = Reading::fromRow($row);
    }
    return $readings;
  }

  /**
   * Deletes readings older than the given number of days.
   *
   * @return int
   *   The number of deleted readings.
   */
  public function purgeOlderThan(int $days): int {
    return (int) $this->database->delete(self::TABLE)
      ->condition('observed', $this->time->getRequestTime() - $days * 86400, '<')
      ->execute();
  }

}
