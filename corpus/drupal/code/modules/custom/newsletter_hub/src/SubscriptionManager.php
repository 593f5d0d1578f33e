<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Database\Connection;

/**
 * Keeps newsletter subscriptions in the newsletter_hub_subscriber table.
 */
class SubscriptionManager implements SubscriptionManagerInterface {

  public function __construct(
    protected readonly Connection $connection,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function subscribe(string $mail, string $langcode, int $uid = 0, int $status = self::PENDING): array {
    $mail = mb_strtolower(trim($mail));
    if ($existing = $this->loadByMail($mail)) {
      return $existing;
    }
    $id = $this->connection->insert('newsletter_hub_subscriber')
      ->fields([
        'mail' => $mail,
        'uid' => $uid,
        'langcode' => $langcode,
        'status' => $status,
        'created' => $this->time->getRequestTime(),
      ])
      ->execute();
    return $this->load((int) $id);
  }

  /**
   * {@inheritdoc}
   */
  public function confirm(int $id): void {
    $this->connection->update('newsletter_hub_subscriber')
      ->fields(['status' => self::CONFIRMED])
      ->condition('id', $id)
      ->execute();
  }

  /**
   * {@inheritdoc}
   */
  public function unsubscribe(int $id): void {
    $this->connection->delete('newsletter_hub_subscriber')
      ->condition('id', $id)
      ->execute();
  }

  /**
   * {@inheritdoc}
   */
  public function load(int $id): ?array {
    return $this->fetchOne('id', $id);
  }

  /**
   * {@inheritdoc}
   */
  public function loadByMail(string $mail): ?array {
    return $this->fetchOne('mail', mb_strtolower(trim($mail)));
  }

  /**
   * {@inheritdoc}
   */
  public function confirmedIds(): array {
    return array_map('intval', $this->connection->select('newsletter_hub_subscriber', 's')
      ->fields('s', ['id'])
      ->condition('status', self::CONFIRMED)
      ->orderBy('id')
      ->execute()
      ->fetchCol());
  }

  /**
   * Fetches the single subscriber whose column matches a value.
   */
  protected function fetchOne(string $column, int|string $value): ?array {
    $row = $this->connection->select('newsletter_hub_subscriber', 's')
      ->fields('s')
      ->condition($column, $value)
      ->execute()
      ->fetchAssoc();
    return $row ?: NULL;
  }

}
