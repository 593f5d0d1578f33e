<?php

declare(strict_types=1);

namespace Drupal\faq_manager;

use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Flood\FloodInterface;
use Drupal\Core\KeyValueStore\KeyValueFactoryInterface;
use Drupal\Core\KeyValueStore\KeyValueStoreInterface;

/**
 * Counts "was this helpful?" votes on FAQ answers.
 *
 * Votes live in the key-value store; flood control stops a visitor from
 * voting on the same answer more than once a day.
 */
class HelpfulnessTracker {

  private const FLOOD_WINDOW = 86400;

  /**
   * Constructs a new HelpfulnessTracker object.
   */
  public function __construct(
    protected readonly KeyValueFactoryInterface $keyValueFactory,
    protected readonly FloodInterface $flood,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
  ) {}

  /**
   * Records a vote unless this visitor already voted on the answer.
   *
   * @return bool
   *   TRUE if the vote was counted.
   */
  public function vote(int $nid, bool $helpful): bool {
    $event = 'faq_manager.vote.' . $nid;
    if (!$this->flood->isAllowed($event, 1, self::FLOOD_WINDOW)) {
      return FALSE;
    }
    $this->flood->register($event, self::FLOOD_WINDOW);

    $score = $this->score($nid);
    $score[$helpful ? 'up' : 'down']++;
    $this->store()->set((string) $nid, $score);
    $this->cacheTagsInvalidator->invalidateTags(['node:' . $nid]);
    return TRUE;
  }

  /**
   * Returns the vote counts of an answer.
   *
   * @return array{up: int, down: int}
   *   The helpful and not helpful counts.
   */
  public function score(int $nid): array {
    return $this->store()->get((string) $nid, ['up' => 0, 'down' => 0]);
  }

  /**
   * Returns the answers with the highest share of helpful votes.
   *
   * @return array<int, float>
   *   Ratios between 0 and 1 keyed by node ID, best first.
   */
  public function mostHelpful(int $limit = 10, int $minimumVotes = 3): array {
    $ratios = [];
    foreach ($this->store()->getAll() as $nid => $score) {
      $total = $score['up'] + $score['down'];
      if ($total >= $minimumVotes) {
        $ratios[(int) $nid] = $score['up'] / $total;
      }
    }
    arsort($ratios);
    return array_slice($ratios, 0, $limit, TRUE);
  }

  /**
   * Drops the votes of a deleted answer.
   */
  public function forget(int $nid): void {
    $this->store()->delete((string) $nid);
  }

  /**
   * The key-value collection that holds the votes.
   */
  protected function store(): KeyValueStoreInterface {
    return $this->keyValueFactory->get('faq_manager.votes');
  }

}
