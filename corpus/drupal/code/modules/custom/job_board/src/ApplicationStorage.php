<?php

declare(strict_types=1);

namespace Drupal\job_board;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Database\Connection;

/**
 * Keeps job applications in the job_board_application table.
 */
final class ApplicationStorage implements ApplicationStorageInterface {

  private const TABLE = 'job_board_application';

  /**
   * Constructs a new ApplicationStorage object.
   */
  public function __construct(
    private readonly Connection $database,
    private readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function add(int $nid, int $uid, string $name, string $mail, string $coverLetter): int {
    return (int) $this->database->insert(self::TABLE)
      ->fields([
        'nid' => $nid,
        'uid' => $uid,
        'name' => $name,
        'mail' => $mail,
        'cover_letter' => $coverLetter,
        'created' => $this->time->getRequestTime(),
        'archived' => 0,
      ])
      ->execute();
  }

  /**
   * {@inheritdoc}
   */
  public function loadByJob(int $nid, bool $includeArchived = FALSE): array {
    $query = $this->database->select(self::TABLE, 'a')
      ->fields('a')
      ->condition('a.nid', $nid)
      ->orderBy('a.created', 'DESC');
    if (!$includeArchived) {
      $query->condition('a.archived', 0);
    }
    return $query->execute()->fetchAll();
  }

  /**
   * {@inheritdoc}
   */
  public function hasApplied(int $nid, int $uid): bool {
    $count = $this->database->select(self::TABLE, 'a')
      ->condition('a.nid', $nid)
      ->condition('a.uid', $uid)
      ->countQuery()
      ->execute()
      ->fetchField();
    return $count > 0;
  }

  /**
   * {@inheritdoc}
   */
  public function archive(int $id): void {
    $this->database->update(self::TABLE)
      ->fields(['archived' => 1])
      ->condition('id', $id)
      ->execute();
  }

  /**
   * {@inheritdoc}
   */
  public function deleteByJob(int $nid): int {
    return (int) $this->database->delete(self::TABLE)
      ->condition('nid', $nid)
      ->execute();
  }

}
